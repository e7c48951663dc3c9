"""The cohort proposal as a table, for the command line and the workbench's download:
one shape, so a coordinator's CSV and a script's JSON always agree."""

import csv

from . import adapter

CSV_HEADER = ["request", "mentee", "mentor_id", "mentor", "score", "unmatched_reason"]


def cohort_table(programme):
    """The optimal proposal of ``programme`` (nothing is assigned), or None when the
    programme has no mentors."""
    result, by_mentee, mentors = adapter.propose_cohort(programme)
    if not mentors:
        return None
    return {
        "programme": programme.name,
        "total_fit": round(result.total, 1),
        "pairs": [
            {
                "request": by_mentee[x.id].pk,
                "mentee": x.name,
                "mentor_id": y.id,
                "mentor": y.name,
                "score": round(score, 1),
            }
            for x, y, score in result.pairs
        ],
        "unmatched": [
            {"request": by_mentee[x.id].pk, "mentee": x.name, "reason": why}
            for x, why in result.unmatched
        ],
    }


def write_csv(table, stream):
    writer = csv.writer(stream)
    writer.writerow(CSV_HEADER)
    for row in table["pairs"]:
        writer.writerow(
            [row["request"], row["mentee"], row["mentor_id"], row["mentor"], row["score"], ""]
        )
    for row in table["unmatched"]:
        writer.writerow([row["request"], row["mentee"], "", "", "", row["reason"]])
