"""Tables of the contracts package live in each sub-domain's ``tables.py``
(``contracts/lifecycle/tables.py`` first), so that each is written by its own
sub-domain only; ``piccolo_app.py`` lists those modules."""
