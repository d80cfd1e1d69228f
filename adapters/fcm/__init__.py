"""Firebase Cloud Messaging (HTTP v1) through firebase-admin: PHI-free alert pushes."""
