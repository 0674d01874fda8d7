"""The public offer finder: anonymous questions, matching offers, nothing stored."""
