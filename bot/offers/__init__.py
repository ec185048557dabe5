"""From waiting to matched: proposals, offers, worker requests, the waitlist and rematch."""
