"""Fill a PostgreSQL database with a national-scale load: persons, users, enrollments,
contribution periods, and transfer cases in every state with their stages, events, fund
remittances (approved, paid by the bank, received, as far as each case went) and messages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale \
        .venv/bin/python bench/scale.py [--persons 200000] [--cases 1000000] [--reset]

Small size: ``--persons 2000 --cases 10000``. It first runs ``migrate`` and ``seed_demo`` (demo
agencies, clerks with the Makefile's demo TOTP secret, 张三, 李四, 王五), then adds the bulk with
COPY from CSV generated in memory, sets the id sequences past the new rows, keeps the daily
serial counters (``DailySerial``) at the last number used, and runs ANALYZE.

Idempotent: a marker table ``bench_scale_fill`` records the sizes filled; a second run with the
same sizes does nothing, another size asks for ``--reset`` (drops every table and fills anew).

The shape: each person moves between two fixed agencies of the demo regions (40 % of persons
with Nanjing as transfer-in party); their cases alternate pension and medical. About 0.4 % of
the cases are open (at most ~2,000 per big agency at 1M), submitted in the last 60 days with due
dates 15–40 days after submission (so some are overdue); 1 in 20 open cases waits in the
attention queue. The rest ended (completed 85 %, rejected, returned, withdrawn) over three years.
"""

import argparse
import csv
import datetime
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The script directory holds bench/http.py, which would shadow the standard library.
sys.path[0] = str(ROOT)
DEMO_OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the Makefile's; demo only
MARKER = "bench_scale_fill"
CHUNK = 100_000
NANJING_SHARE = 0.40
OPEN_SHARE = 0.004

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏辉玲建华文斌宇浩凯俊帅欣悦晨阳子涵思雨嘉怡梓萱"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--open",
        type=int,
        default=None,
        help="open cases (default 0.4 %% of --cases; at most 2 × --persons): give the big "
        "size's 4000 to the small one to compare lists of equal queues",
    )
    parser.add_argument("--reset", action="store_true", help="drop every table and fill anew")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("bench/scale.py needs PostgreSQL: set DATABASE_URL or --database-url")
    if args.open is None:
        args.open = min(int(args.cases * OPEN_SHARE), args.persons)
    if not 0 <= args.open <= min(args.cases, 2 * args.persons):
        sys.exit("--open must be between 0 and --cases, and at most 2 × --persons")
    if args.persons < 1 or args.cases < 0:
        sys.exit("--persons must be 1 or more, --cases 0 or more")
    return args


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


class Copier:
    """Rows into one table by COPY, in chunks of CSV built in memory."""

    def __init__(self, cursor, table: str, columns: list[str]):
        self.cursor, self.table, self.columns = cursor, table, columns
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.pending = self.total = 0

    def add(self, row) -> None:
        self.writer.writerow(row)
        self.pending += 1
        if self.pending >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        sql = (
            f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN "
            "WITH (FORMAT csv, NULL '\\N')"
        )
        self.cursor.copy_expert(sql, self.buffer)
        self.total += self.pending
        self.buffer.seek(0)
        self.buffer.truncate()
        self.pending = 0


N = "\\N"  # NULL in the CSV


def next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def fix_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def fill(persons: int, cases: int, n_open: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import DatabaseError, connection, transaction
    from django.utils import timezone

    from agencies.models import Agency, Region, StaffMembership, StaffRole
    from insured import idnumbers
    from transfers.workflow import OPEN_STATUSES, CaseStatus, status_label

    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    agencies = list(Agency.objects.order_by("pk").values("pk", "region_id"))
    nanjing = Agency.objects.get(region_id="320100").pk
    others = [a["pk"] for a in agencies if a["pk"] != nanjing]
    region_of = {a["pk"]: a["region_id"] for a in agencies}
    staff = {(m.agency_id, m.role): m.user_id for m in StaffMembership.objects.all()}
    counties = list(
        Region.objects.filter(level=3, code__startswith="3201").values_list("code", flat=True)
    ) + list(Region.objects.filter(level=3, code__startswith="1101").values_list("code", flat=True))
    counties = [
        c for c in counties if idnumbers.is_valid(idnumbers.build(c, datetime.date(1970, 1, 1), 1))
    ]
    password = make_password("Demo-2026!")
    joined = timezone.now() - datetime.timedelta(days=1200)

    cursor = connection.cursor().cursor  # the psycopg2 cursor (copy_expert)
    # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: every copied row would queue a
    # check for the COMMIT (tens of millions at 1M cases: longer than the COPY itself). The
    # rows are generated consistent (ids assigned here), so the session skips the FK triggers
    # (replica role: no trigger fires, FK checks included); a superuser may, others pay them.
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the fill's transaction usable
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        print("  (not a superuser: foreign keys are checked at commit, slower)", flush=True)
    ids = {
        t: next_id(cursor, t)
        for t in (
            "auth_user",
            "insured_insuredperson",
            "insured_enrollment",
            "insured_contributionyear",
            "transfers_transferapplication",
            "transfers_transfercase",
            "transfers_stage",
            "transfers_caseevent",
            "transfers_fundremittance",
            "portal_notification",
        )
    }
    started = time.monotonic()

    # Persons and their users. Person p moves from out_agency(p) to in_agency(p).
    users = Copier(
        cursor,
        "auth_user",
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
    )
    people = Copier(
        cursor,
        "insured_insuredperson",
        [
            "id",
            "id_number",
            "name",
            "hukou_address",
            "hukou_type",
            "phone",
            "email",
            "hukou_region_id",
            "user_id",
            "display_mode",
            "work_start",
            "retirement_category",
        ],
    )
    enrollments = Copier(
        cursor,
        "insured_enrollment",
        [
            "id",
            "person_id",
            "insurance",
            "agency_id",
            "region_id",
            "account_kind",
            "start_month",
            "end_month",
            "status",
            "drawing_benefits",
            "account_opened",
            "deemed_months",
            "status_before_transfer",
            "sealed_at",
        ],
    )
    years = Copier(
        cursor,
        "insured_contributionyear",
        [
            "id",
            "enrollment_id",
            "year",
            "first_month",
            "last_month",
            "months_paid",
            "monthly_base",
            "employer_rate",
            "personal_rate",
            "employer_contribution",
            "personal_contribution",
            "personal_account_credit",
            "interest",
            "contributor_type",
        ],
    )
    born0 = datetime.date(1962, 1, 1)
    person_agencies = []
    year_id = ids["insured_contributionyear"]
    for p in range(persons):
        uid, pid = ids["auth_user"] + p, ids["insured_insuredperson"] + p
        born = born0 + datetime.timedelta(days=p // 1000)
        hukou = counties[p % len(counties)]
        number = idnumbers.build(hukou, born, p % 1000)
        name = (
            SURNAMES[p % len(SURNAMES)]
            + GIVEN[(p * 7) % len(GIVEN)]
            + (GIVEN[(p * 13) % len(GIVEN)] if p % 3 else "")
        )
        users.add((uid, password, "f", number, name, "", "", "f", "t", joined.isoformat()))
        people.add(
            (
                pid,
                number,
                name,
                f"第{p % 300 + 1}号",
                "urban",
                f"139{p:08d}",
                "",
                hukou,
                uid,
                "",
                "2005-07-01",
                "",
            )
        )
        to = nanjing if (p * 2654435761) % 1000 < NANJING_SHARE * 1000 else others[p % len(others)]
        out = others[(p // len(others) + p) % len(others)]
        if out == to:
            out = others[(others.index(out) + 1) % len(others)] if to != nanjing else nanjing
            if out == to:
                out = others[0] if to != others[0] else others[1]
        person_agencies.append((out, to))
        base = ids["insured_enrollment"] + 4 * p
        for k, insurance in enumerate(("pension", "medical")):
            out_id, in_id = base + 2 * k, base + 2 * k + 1
            enrollments.add(
                (
                    out_id,
                    pid,
                    insurance,
                    out,
                    region_of[out],
                    "ordinary",
                    "2005-07-01",
                    "2020-12-01",
                    "interrupted",
                    "f",
                    N,
                    0,
                    "",
                    N,
                )
            )
            enrollments.add(
                (
                    in_id,
                    pid,
                    insurance,
                    to,
                    region_of[to],
                    "ordinary",
                    "2021-01-01",
                    N,
                    "active",
                    "f",
                    N,
                    0,
                    "",
                    N,
                )
            )
            if insurance == "pension":
                for year in (2018, 2019, 2020):
                    monthly = 5000 + (p % 50) * 100
                    # 12 months × base × 16 % employer, 8 % personal (credited), 1.5 % interest
                    employer = monthly * 12 * 16 // 100
                    personal = monthly * 12 * 8 // 100
                    years.add(
                        (
                            year_id,
                            out_id,
                            year,
                            1,
                            12,
                            12,
                            f"{monthly}.00",
                            "0.1600",
                            "0.0800",
                            f"{employer}.00",
                            f"{personal}.00",
                            f"{personal}.00",
                            f"{personal * 15 // 1000}.00",
                            "employer",
                        )
                    )
                    year_id += 1
    for copier in (users, people, enrollments, years):
        copier.flush()
    print(
        f"  persons: {people.total:,} persons, {users.total:,} users, "
        f"{enrollments.total:,} enrollments, {years.total:,} periods "
        f"({time.monotonic() - started:.0f} s)",
        flush=True,
    )

    # Cases. The first n_open are open (one per person and insurance: i < 2 × persons).
    applications = Copier(
        cursor,
        "transfers_transferapplication",
        ["id", "number", "person_id", "insurance", "kind", "is_open", "submitted_at"],
    )
    case_rows = Copier(
        cursor,
        "transfers_transfercase",
        [
            "id",
            "serial_no",
            "application_id",
            "person_id",
            "insurance",
            "kind",
            "category",
            "from_region_id",
            "to_region_id",
            "transfer_out_agency_id",
            "transfer_in_agency_id",
            "from_enrollment_id",
            "to_enrollment_id",
            "status",
            "contact_phone",
            "hukou_address",
            "attachment",
            "attachment_name",
            "approved_transfer",
            "overlapping_months",
            "end_reason",
            "current_due_date",
            "attention_since",
            "attention_agency_id",
            "attention_reason",
            "attention_detail",
            "attention_event_id",
            "submitted_at",
            "updated_at",
            "completed_at",
        ],
    )
    stages = Copier(
        cursor,
        "transfers_stage",
        [
            "id",
            "case_id",
            "name",
            "started_at",
            "due_date",
            "due_date_estimated",
            "completed_at",
            "overdue_marked_at",
            "agency_id",
        ],
    )
    events = Copier(
        cursor,
        "transfers_caseevent",
        [
            "id",
            "case_id",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "agency_id",
            "note",
            "created_at",
            "dispatched_at",
            "claimed_at",
            "attempts",
            "last_error",
            "failed_at",
        ],
    )
    notifications = Copier(
        cursor,
        "portal_notification",
        [
            "id",
            "user_id",
            "title",
            "body",
            "title_en",
            "body_en",
            "link",
            "key",
            "created_at",
            "read_at",
        ],
    )
    # The remittance of every case the transfer-out finance officer approved: paid by the bank
    # with the next move, received with the completion (the workbench's money chart).
    remittances = Copier(
        cursor,
        "transfers_fundremittance",
        [
            "id",
            "case_id",
            "idempotency_key",
            "amount",
            "from_account",
            "to_account",
            "bank_reference",
            "approved_by_id",
            "approved_at",
            "paid_at",
            "received_by_id",
            "received_at",
            "payer_agency_id",
            "payee_agency_id",
        ],
    )
    remittance_id = ids["transfers_fundremittance"]
    # Every remittance names who approved it: the agency's finance officer where the demo has
    # one, else any of its staff, else any clerk (the demo's smaller agencies have none).
    anyone = min(staff.values())

    def finance_of(agency_id):
        return (
            staff.get((agency_id, StaffRole.FINANCE))
            or next((u for (a, _r), u in sorted(staff.items()) if a == agency_id), None)
            or anyone
        )

    open_states = [s for s in CaseStatus if s in OPEN_STATUSES]
    # Ended cases: 85 % completed, then rejected, returned, withdrawn.
    ended_states = [CaseStatus.COMPLETED] * 17 + [
        CaseStatus.REJECTED,
        CaseStatus.RETURNED,
        CaseStatus.WITHDRAWN,
    ]
    # Moves in order: (action, from, to, side acting, role acting).
    path = [
        ("submit", "", "submitted", None, None),
        ("issue_certificate", "submitted", "submitted", "out", None),
        ("accept", "submitted", "accepted", "in", StaffRole.REVIEWER),
        ("send_letter", "accepted", "letter_sent", "in", None),
        ("acknowledge", "letter_sent", "letter_received", "out", StaffRole.REVIEWER),
        ("issue_info_sheet", "letter_received", "info_sheet_issued", "out", None),
        ("remit", "info_sheet_issued", "remitting", "out", StaffRole.FINANCE),
        ("record_payment", "remitting", "funds_remitted", "out", None),
        ("confirm_receipt", "funds_remitted", "completed", "in", StaffRole.FINANCE),
    ]
    steps_to = {
        "submitted": 2,
        "accepted": 3,
        "letter_sent": 4,
        "letter_received": 5,
        "info_sheet_issued": 6,
        "remitting": 7,
        "funds_remitted": 8,
        "completed": 9,
    }
    endings = {
        CaseStatus.REJECTED: (2, ("reject", "submitted", "rejected", "in", StaffRole.REVIEWER)),
        CaseStatus.WITHDRAWN: (2, ("withdraw", "submitted", "withdrawn", None, None)),
        CaseStatus.RETURNED: (4, ("return", "letter_sent", "returned", "out", StaffRole.REVIEWER)),
    }
    # Stages by how far the case went: the stage of each step index (its moves end it).
    serial_counter: dict[datetime.date, int] = {}
    stage_id, event_id = ids["transfers_stage"], ids["transfers_caseevent"]
    n_closed = max(cases - n_open, 1)
    for i in range(cases):
        cid, aid = ids["transfers_transfercase"] + i, ids["transfers_transferapplication"] + i
        p = i % persons
        pid, uid = ids["insured_insuredperson"] + p, ids["auth_user"] + p
        out, to = person_agencies[p]
        insurance = "pension" if (i // persons) % 2 == 0 else "medical"
        k = 0 if insurance == "pension" else 1
        from_enr = ids["insured_enrollment"] + 4 * p + 2 * k
        if i < n_open:
            status = open_states[i % len(open_states)]
            day = today - datetime.timedelta(days=1 + (i * 60) // max(n_open, 1))
        else:
            status = ended_states[i % len(ended_states)]
            day = today - datetime.timedelta(days=2 + ((i - n_open) * 1095) // n_closed)
        serial_counter[day] = number = serial_counter.get(day, 0) + 1
        serial = f"{day:%Y%m%d}{number:08d}"
        at = datetime.datetime.combine(day, datetime.time(9, 0), tz) + datetime.timedelta(
            seconds=(i * 37) % 28800
        )
        if status in endings:
            n_steps, ending = endings[status]
            moves = [*path[:n_steps], ending]
        else:
            moves = path[: steps_to[status]]
        # One move every two days (half an hour for the system's follow-ups).
        times, t = [], at
        for move in moves:
            times.append(t)
            t += datetime.timedelta(minutes=30) if move[4] is None else datetime.timedelta(days=2)
        is_open = status in OPEN_STATUSES
        due = (day + datetime.timedelta(days=15 + i % 26)) if is_open else None
        ended_at = times[-1] if not is_open else None
        attention = is_open and i % 20 == 0
        last_event = event_id + len(moves) - 1
        for n, (action, frm, to_status, side, role) in enumerate(moves):
            agency = None if side is None else (out if side == "out" else to)
            actor = (
                uid
                if action in ("submit", "withdraw")
                else staff.get((agency, role))
                if role
                else None
            )
            failed = attention and n == len(moves) - 1
            events.add(
                (
                    event_id + n,
                    cid,
                    action,
                    frm,
                    to_status,
                    actor or N,
                    agency or N,
                    "",
                    times[n].isoformat(),
                    N if failed else times[n].isoformat(),
                    N,
                    5 if failed else 0,
                    "ConnectionError: timed out" if failed else "",
                    times[n].isoformat() if failed else N,
                )
            )
        event_id += len(moves)
        # Stages: certificate and review from submission; the others from their first move.
        reached = {a for a, *_ in moves}
        actions = [m[0] for m in moves]
        if "remit" in reached:
            approved = actions.index("remit")
            paid = times[approved + 1] if "record_payment" in reached else None
            received = times[-1] if status == CaseStatus.COMPLETED else None
            remittances.add(
                (
                    remittance_id,
                    cid,
                    f"remit-{serial}",
                    f"{10000 + (i * 7919) % 90000}.{i % 100:02d}",
                    f"基金划转账户 {out}",
                    f"基金划转账户 {to}",
                    f"B{serial}" if paid else "",
                    finance_of(out),
                    times[approved].isoformat(),
                    paid.isoformat() if paid else N,
                    finance_of(to) if received else N,
                    received.isoformat() if received else N,
                    out,
                    to,
                )
            )
            remittance_id += 1
        stage_plan = [("certificate", times[0], None, "issue_certificate" in reached and times[1])]
        review_end = next(
            (
                times[n]
                for n, m in enumerate(moves)
                if m[0] in ("send_letter", "reject", "withdraw")
            ),
            None,
        )
        stage_plan.append(
            (
                "review",
                times[0],
                due if review_end is None else day + datetime.timedelta(days=20),
                review_end,
            )
        )
        if "send_letter" in reached:
            start = times[[m[0] for m in moves].index("send_letter")]
            end = next(
                (times[n] for n, m in enumerate(moves) if m[0] in ("record_payment", "return")),
                None,
            )
            stage_plan.append(
                (
                    "transfer_out",
                    start,
                    due if end is None else start.date() + datetime.timedelta(days=20),
                    end,
                )
            )
        if "record_payment" in reached:
            start = times[[m[0] for m in moves].index("record_payment")]
            end = times[-1] if status == CaseStatus.COMPLETED else None
            stage_plan.append(
                (
                    "transfer_in",
                    start,
                    due if end is None else start.date() + datetime.timedelta(days=20),
                    end,
                )
            )
        for name, start, stage_due, end in stage_plan:
            stages.add(
                (
                    stage_id,
                    cid,
                    name,
                    start.isoformat(),
                    stage_due.isoformat() if stage_due else N,
                    "f",
                    end.isoformat() if end else N,
                    N,
                    to if name in ("review", "transfer_in") else out,
                )
            )
            stage_id += 1
        running_side = "in" if status in ("submitted", "accepted", "funds_remitted") else "out"
        applications.add(
            (aid, serial, pid, insurance, "transfer", "t" if is_open else "f", at.isoformat())
        )
        reason = {"rejected": "材料不全", "returned": "转出地无参保记录"}.get(status, "")
        case_rows.add(
            (
                cid,
                serial,
                aid,
                pid,
                insurance,
                "transfer",
                "enterprise" if insurance == "pension" else "employee",
                region_of[out],
                region_of[to],
                out,
                to,
                from_enr,
                from_enr + 1,
                status,
                f"139{p:08d}",
                f"第{p % 300 + 1}号",
                "",
                "",
                "f",
                "[]",
                reason,
                due.isoformat() if due else N,
                times[-1].isoformat() if attention else N,
                (out if running_side == "out" else to) if attention else N,
                "自动处理失败，转人工处理" if attention else "",
                "ConnectionError: timed out" if attention else "",
                last_event if attention else N,
                at.isoformat(),
                times[-1].isoformat(),
                ended_at.isoformat() if ended_at else N,
            )
        )
        label = str(status_label(status))
        notifications.add(
            (
                ids["portal_notification"] + i,
                uid,
                f"转移接续申请{serial}：{label}",
                "",
                "",
                "",
                f"/transfers/{serial}/",
                f"case:{serial}:{status}",
                times[-1].isoformat(),
                times[-1].isoformat() if not is_open else N,
            )
        )
    for copier in (applications, case_rows, stages, events, remittances, notifications):
        copier.flush()
    # The daily counters continue after the numbers used.
    for day, last in serial_counter.items():
        cursor.execute(
            "INSERT INTO transfers_dailyserial (day, last) VALUES (%s, %s) "
            "ON CONFLICT (day) DO UPDATE SET last = GREATEST(transfers_dailyserial.last, EXCLUDED.last)",
            (day, last),
        )
    for table in ids:
        fix_sequence(cursor, table)
    print(
        f"  cases: {case_rows.total:,} cases ({n_open:,} open), {stages.total:,} stages, "
        f"{events.total:,} events, {remittances.total:,} remittances, "
        f"{notifications.total:,} messages "
        f"({time.monotonic() - started:.0f} s)",
        flush=True,
    )
    return {"persons": persons, "cases": cases}


def main():
    args = parse_args()
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection, transaction

    t0 = time.monotonic()
    with connection.cursor() as cursor:
        if args.reset:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER} (persons integer, cases integer, "
            "seconds real, filled_at timestamptz DEFAULT now())"
        )
        cursor.execute(f"SELECT persons, cases FROM {MARKER}")
        done = cursor.fetchone()
    if done:
        if done == (args.persons, args.cases):
            print(f"Already filled with {done[0]:,} persons and {done[1]:,} cases.")
            # A newer checkout may bring migrations and days to roll: both idempotent.
            call_command("migrate", interactive=False, verbosity=0)
            roll_days()
            return
        sys.exit(f"Filled with {done[0]:,} persons and {done[1]:,} cases; --reset to refill.")
    print("migrate and seed_demo …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", otp_secret=DEMO_OTP_SECRET, stdout=io.StringIO())
    print(f"filling {args.persons:,} persons and {args.cases:,} cases by COPY …", flush=True)
    with transaction.atomic():
        fill(args.persons, args.cases, args.open)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {MARKER} (persons, cases, seconds) VALUES (%s, %s, %s)",
                (args.persons, args.cases, time.monotonic() - t0),
            )
    with connection.cursor() as cursor:
        # VACUUM as well: the visibility map lets the lists count on index-only scans.
        cursor.execute("VACUUM ANALYZE")
    roll_days()
    print(f"done in {time.monotonic() - t0:.0f} s (migrate, seed, COPY, VACUUM ANALYZE, roll)")


def roll_days() -> None:
    """What the nightly task does in production: the workbench's closed days, rolled once."""
    from transfers import figures

    t0 = time.monotonic()
    days = figures.roll()
    print(f"  rolled the workbench's figures of {days} closed days ({time.monotonic() - t0:.0f} s)")


if __name__ == "__main__":
    main()
