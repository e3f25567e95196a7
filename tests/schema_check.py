#!/usr/bin/python3
"""Test helper for tests/schema_test.cpp: validates JSON documents against the run config schema
with python3-jsonschema (Debian), printing one JSON object per case: {"name", "valid", "error"}.

Usage: tests/schema_check.py SCHEMA_JSON CASES_JSON   (CASES_JSON: [{"name": ..., "document": ...}])
Exit code 77 when jsonschema is not installed (the test then skips).
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit(77)


def main(schema_path, cases_path):
    with open(schema_path) as f:
        schema = json.load(f)
    with open(cases_path) as f:
        cases = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    for case in cases:
        errors = sorted(validator.iter_errors(case["document"]), key=lambda e: list(e.path))
        print(json.dumps({"name": case["name"], "valid": not errors,
                          "error": errors[0].message[:200] if errors else ""}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
