"""Privacy features for wagtail_mentorat (Quebec's Access Act, A-2.1, as amended by Law 25).

Consent ledger per purpose, the person's data export (JSON and CSV), retention with legal
holds, the confidentiality-incident register, the read-access audit and the data inventory.
These implement findings from public sources; they are not legal advice.
"""
