"""Document store, the town hall's seal, timestamps, CSV and public verification (art. 10, 30)."""
