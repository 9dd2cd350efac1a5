"""Electronic notifications: consent, delivery, access evidence, the 10-day clock (art. 32)."""
