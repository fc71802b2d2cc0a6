"""What deliberation gives the shared surfaces."""
