"""Activities: customer actions and our own, the evidence behind stage changes."""
