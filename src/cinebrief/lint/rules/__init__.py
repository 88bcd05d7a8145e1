"""The rules, one module per category; importing a module registers its rules (see `registry`)."""
