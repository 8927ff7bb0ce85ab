"""Who an account is and who may see it: the one name resolver, viewers, permissions, redaction."""
