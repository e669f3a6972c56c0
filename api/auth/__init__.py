"""Sign-in, token refresh and sign-out."""
