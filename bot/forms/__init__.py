"""Step-by-step forms driven by buttons: ``engine`` is the pure form (steps, drafts, what a
tap or a typed answer does, how a step is shown); ``runner`` runs a person's form against
the database (loads and saves their draft, calls the hooks a capability registered).
The questions themselves live with their capability: ``bot.onboarding.questions``,
``bot.workers.profile_questions``."""
