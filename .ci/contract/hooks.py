"""Schemathesis hooks for the contract stage (loaded through SCHEMATHESIS_HOOKS by api_contract.py)."""

import os

import schemathesis

PROTECTED = os.environ.get("SMARTMAILS_CONTRACT_KEY_ID")
# Well-formed, and no key has it: the request it replaces is answered 404 instead of changing the run's key.
ABSENT = "key_" + "0" * 26


@schemathesis.hook
def before_call(context, case, kwargs):
    # Ids reach requests from other answers too (GET /v1/me and created_by name the run's key); rolling or revoking
    # the key the run authenticates with would leave every later request a 401, testing nothing.
    if PROTECTED and case.path_parameters and case.path_parameters.get("id") == PROTECTED:
        case.path_parameters["id"] = ABSENT
