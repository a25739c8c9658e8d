"""Parse .xlsx/.xls with python-calamine in a sandboxed child and bring back plain rows."""

from __future__ import annotations

import datetime
import faulthandler
import io
import marshal
import os
import resource
import select
import signal
import time

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from tabular import errors
from tabular.errors import FileRejected

# python-calamine is fast, but on crafted or damaged input it can panic (an exception we catch)
# or abort the whole process: an .xlsx whose only two cells are A1 and XFD1048576 makes it
# allocate ~550 GB for the dense sheet, and one flipped byte in an .xls DIMENSIONS record does
# the same. An abort would take the web or Celery worker down with it, so workbooks are parsed
# in a forked child with a memory budget and a deadline, and only plain rows come back.
# Rows × columns up to the farthest cell: 200,000 rows of the roster's 25 columns. It bounds the
# memory of the rows built in Python (~600 MB at worst); CSV is held to the same number.
MAX_SHEET_CELLS = 5_000_000
PARSER_MEMORY_BYTES = 2 * 1024**3  # on top of what the child shares with its parent
PARSER_TIMEOUT_SECONDS = 120


# marshal is several times faster than pickle for rows of str/float/None, but it cannot carry
# dates: those travel as (row, column, kind, a, b) and are rebuilt in the parent.
_DATE, _DATETIME, _TIME, _DURATION = range(4)
_ONE_MICROSECOND = datetime.timedelta(microseconds=1)
_SPECIAL_TYPES = frozenset({datetime.date, datetime.datetime, datetime.time, datetime.timedelta})


def read_workbook(data: bytes, row_limit: int, max_rows: int) -> list[tuple]:
    """Rows of the first visible worksheet, '' cells as None, parsed by calamine in a child.

    Raises FileRejected when the child finds the file damaged or encrypted, with more than
    `row_limit` non-blank rows or used beyond MAX_SHEET_CELLS, or when it dies or overruns.
    """
    report = _run_isolated(_parse_workbook, data, row_limit)
    kind = bytes(report[:32]).partition(b"\n")[0]
    payload = memoryview(report)[len(kind) + 1 :]  # the rows, without copying them
    if kind == b"rows":
        return _unpack_rows(payload)
    if kind == b"too-many-rows":
        raise FileRejected(errors.TOO_MANY_ROWS.format(rows=max_rows))
    if kind == b"too-wide":
        try:
            rows, columns = map(int, bytes(payload).split())
        except ValueError:  # a report cut short
            raise FileRejected(errors.CORRUPT) from None
        raise FileRejected(errors.SHEET_TOO_WIDE.format(row=rows, column=columns))
    if kind == b"password":
        raise FileRejected(errors.ENCRYPTED)
    if kind == b"died":
        raise FileRejected(errors.PARSER_DIED)
    if kind == b"timeout":
        raise FileRejected(errors.TIMEOUT.format(seconds=PARSER_TIMEOUT_SECONDS))
    raise FileRejected(errors.CORRUPT)


def _parse_workbook(data: bytes, row_limit: int) -> bytes:
    """Parse with calamine and return a report: b"rows\n" + packed rows, or what went wrong.

    Runs in the child; never raises.
    """
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            sheet = workbook.get_sheet_by_index(_first_visible_sheet(workbook))
            end = sheet.end
            if end is None:
                return b"rows\n" + marshal.dumps(([], []))
            height, width = end[0] + 1, end[1] + 1
            if height * width > MAX_SHEET_CELLS:
                return f"too-wide\n{height} {width}".encode()
            if height > row_limit:
                # Count non-blank rows before building the whole sheet in Python.
                non_blank = 0
                for row in sheet.iter_rows():
                    if any(cell != "" for cell in row):
                        non_blank += 1
                        if non_blank > row_limit:
                            return b"too-many-rows"
            rows = sheet.to_python(skip_empty_area=False)
        return b"rows\n" + _pack_rows(rows)
    except PasswordError:
        return b"password"
    except BaseException:
        # calamine reports damage with several exception types, and a Rust panic surfaces as
        # pyo3's PanicException, which derives from BaseException.
        return b"error"


def _pack_rows(rows: list[list]) -> bytes:
    specials = []
    append = specials.append
    for index, row in enumerate(rows):
        cells = [None if cell == "" else cell for cell in row]
        for column in [c for c, cell in enumerate(cells) if cell.__class__ in _SPECIAL_TYPES]:
            value = cells[column]
            if value.__class__ is datetime.date:  # by far the most common: keep it cheap
                append((index, column, _DATE, value.toordinal(), 0))
            else:
                append((index, column, *_encode_special(value)))
            cells[column] = None
        # Replace in place so each calamine list is freed as its tuple is made.
        rows[index] = tuple(cells)
    return marshal.dumps((rows, specials))


def _encode_special(value) -> tuple[int, int, int]:
    """(kind, ordinal, microseconds) for a datetime, time or timedelta cell."""
    if isinstance(value, datetime.datetime):
        since_midnight = value - datetime.datetime.combine(value.date(), datetime.time())
        return _DATETIME, value.toordinal(), since_midnight // _ONE_MICROSECOND
    if isinstance(value, datetime.time):
        moment = datetime.datetime.combine(datetime.date.min, value)
        return _TIME, 0, (moment - datetime.datetime.min) // _ONE_MICROSECOND
    return _DURATION, 0, value // _ONE_MICROSECOND


def _unpack_rows(payload: bytes | memoryview) -> list[tuple]:
    try:
        rows, specials = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        raise FileRejected(errors.CORRUPT) from None
    from_ordinal = datetime.date.fromordinal
    current, cells = -1, None
    for index, column, kind, ordinal, microseconds in specials:
        if index != current:
            if cells is not None:
                rows[current] = tuple(cells)
            current, cells = index, list(rows[index])
        if kind == _DATE:
            cells[column] = from_ordinal(ordinal)
        elif kind == _DATETIME:
            cells[column] = datetime.datetime.fromordinal(ordinal) + microseconds * _ONE_MICROSECOND
        elif kind == _TIME:
            cells[column] = (datetime.datetime.min + microseconds * _ONE_MICROSECOND).time()
        else:
            cells[column] = microseconds * _ONE_MICROSECOND
    if cells is not None:
        rows[current] = tuple(cells)
    return rows


def _run_isolated(work, *args) -> bytes | bytearray:
    """Return `work(*args)` (bytes) computed in a forked child with a memory cap and deadline.

    Returns b"died" when the child is killed or aborts, b"timeout" when it overruns. Where
    fork does not exist (Windows development machines) the work runs in-process.
    """
    if not hasattr(os, "fork"):
        return work(*args)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code, whatever happens
        code = 1
        try:
            os.close(read_end)
            _confine_child()
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(work(*args))
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    report = None
    try:
        report = _collect(read_end, PARSER_TIMEOUT_SECONDS)
    finally:
        os.close(read_end)
        if report is None:  # timed out, or interrupted: do not leave the child running
            _kill(pid)
        exit_code = _reap(pid)
    if report is None:
        return b"timeout"
    if exit_code != 0 or not report:
        return b"died"
    return report


def _reap(pid: int) -> int:
    """The child's exit code (negative: killed by that signal), or 0 if someone reaped it.

    A host with its own SIGCHLD handler (some process pools) may collect the child first; the
    report then speaks for itself, since a child that died mid-write leaves a truncated one.
    """
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return 0
    return os.waitstatus_to_exitcode(status)


def _confine_child() -> None:
    """Silence Rust's panic messages and cap the child's memory, so it fails, not the host."""
    # A dying child is an expected outcome that the parent reports; no crash dumps for it.
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        with open("/proc/self/statm") as statm:
            in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = in_use + PARSER_MEMORY_BYTES
    for existing in (soft, hard):
        if existing != resource.RLIM_INFINITY:
            limit = min(limit, existing)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _collect(fd: int, timeout: float) -> bytearray | None:
    """Everything written to `fd` until it closes, or None if that takes longer than `timeout`."""
    deadline = time.monotonic() + timeout
    received = bytearray()  # grown in place: joining chunks at the end would hold it twice
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return received
        received += chunk


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _first_visible_sheet(workbook: CalamineWorkbook) -> int:
    """Index of the first visible worksheet; templates often hide a sheet of dropdown lists."""
    for index, meta in enumerate(workbook.sheets_metadata):
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible:
            return index
    return 0
