"""The console's page controllers, one module per area."""
