"""Tables of the contracts package (contracts, staffing, assessments, payments).

The first of them arrive with the contracts issue; the app and its migration
folder exist now so that both packages migrate the same way from day one.
"""
