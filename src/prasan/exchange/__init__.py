"""The data exchange: members and their keys, services and access rights, consent, the hub that
verifies and forwards signed calls, the transparency log, and the client and provider SDKs."""
