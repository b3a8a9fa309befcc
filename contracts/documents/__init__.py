"""The contract document: its templates, its input and the signed, cached PDF."""
