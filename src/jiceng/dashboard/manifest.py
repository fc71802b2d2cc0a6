"""What the dashboard gives the shared surfaces."""
