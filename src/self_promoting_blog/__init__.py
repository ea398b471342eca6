"""The blog's application: build, check, write, deploy, publish, promote."""
