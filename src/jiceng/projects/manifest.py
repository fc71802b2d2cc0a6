"""What projects gives the shared surfaces (filled in by its issue)."""
