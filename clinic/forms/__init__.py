"""WTForms classes: they check the shape of input; meaning is checked by the domain."""
