"""The population register (ทะเบียนราษฎร) of the Department of Provincial Administration (DOPA).

Places (provinces, districts, sub-districts with official DOPA codes), persons with their
13-digit citizen IDs, ID cards and house registrations; a fast synthetic population generator;
service functions that answer whole documents or single attributes; and the provider contract
(``provider.SERVICES``) through which the exchange hub serves it to other agencies.
"""
