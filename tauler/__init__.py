"""Electronic notice board: edicts and their certified exposure period (art. 18)."""
