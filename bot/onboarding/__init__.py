"""Service-user onboarding: welcome, consents, what they want in a peer, availability."""
