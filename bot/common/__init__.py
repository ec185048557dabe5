"""What everyone can do: start, help, crisis lines, privacy, and the error handler."""
