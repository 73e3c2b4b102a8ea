"""PDF/UA-1 check of PDFs with PyPI's page-validation (0.11): every rule of the
profile on every file; prints each failure and exits 1 if any file fails."""
import sys

import page

failed = 0
for path in sys.argv[1:]:
    report = page.validate_pdf(path, profile="ua1")
    if report.is_compliant:
        print(f"{path}: PDF/UA-1, {report.rules.total} rules passed")
        continue
    failed += 1
    print(f"{path}: {report.rules.failed} of {report.rules.total} PDF/UA-1 rules failed")
    for f in report.failures:
        print(f"  {f.rule_id}: {f.message}")
if not sys.argv[1:]:
    print("no PDFs given")
    failed = 1
sys.exit(1 if failed else 0)
