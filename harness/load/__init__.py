"""Load and consistency campaigns on Locust (s3-load): see README "Load and consistency campaigns"."""
