"""s3cmd driver (subprocess)."""
