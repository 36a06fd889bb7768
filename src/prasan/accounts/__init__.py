"""People and roles: the built-in identity provider (passwords, sessions) and OpenID Connect."""
