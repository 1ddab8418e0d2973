"""boto3 driver (in-process)."""
