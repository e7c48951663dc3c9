"""Access control and hardening (issue #10): OWASP ASVS 5.0 V8 and deployment checks."""
