"""AWS CLI driver (subprocess)."""
