"""API of the RADIUS area: /api/v1/nas/, /api/v1/ip-pools/, /api/v1/logins/."""
