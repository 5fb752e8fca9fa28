"""The `duban` argument parser, in the user's language: its usage, help headings and complaints.

argparse writes English; here its usage prefix and headings come from the catalog, and each of its
error messages is matched and said again in Chinese, as one line and a hint where the usage is.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from typing import Any, NoReturn

from config.i18n import translate

_ARGPARSE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^the following arguments are required: (?P<names>.+)$", "cli_arg_required"),
        (
            r"^argument (?P<name>\S+): invalid choice: '?(?P<value>.*?)'? \(choose from (?P<choices>.+)\)$",
            "cli_arg_choice",
        ),
        (r"^argument (?P<name>\S+): invalid int value: '(?P<value>.*)'$", "cli_arg_integer"),
        (r"^argument (?P<name>\S+): expected .*argument", "cli_arg_needs_value"),
        (r"^unrecognized arguments: (?P<args>.+)$", "cli_arg_unrecognized"),
        (r"^ambiguous option: (?P<option>\S+) could match (?P<matches>.+)$", "cli_arg_ambiguous"),
    )
)
_COMMAND_DESTS = ("command", "plan_command", "db_command")


def _listed(text: str) -> str:
    """argparse's "'a', 'b'" (or "a, b") as 'a、b'."""
    names = re.findall(r"'([^']*)'", text) or [n.strip() for n in text.split(",")]
    return "、".join(names)


def _argparse_message(lang: str, message: str, commands: list[str]) -> str:
    """argparse's English complaint, said in Chinese (in English mode it stays as argparse wrote it)."""
    if lang == "en":
        return message
    command_names = (*_COMMAND_DESTS, translate(lang, "cli_meta_command"))
    for pattern, key in _ARGPARSE_ERRORS:
        found = pattern.search(message)
        if not found:
            continue
        params = found.groupdict()
        if key == "cli_arg_required" and params["names"] in command_names:
            return translate(lang, "cli_arg_command_missing", choices="、".join(commands))
        if key == "cli_arg_choice" and params["name"] in command_names:
            return translate(lang, "cli_arg_command_unknown", value=params["value"], choices="、".join(commands))
        if key == "cli_arg_choice":
            params["choices"] = _listed(params["choices"])
        return translate(lang, key, **params)
    return translate(lang, "cli_arg_invalid")


def _parser_class(lang: str) -> type[argparse.ArgumentParser]:
    """An ArgumentParser that writes its usage, help headings and errors in `lang`.

    Sub-parsers are made from the same class (argparse uses `type(parent)`), so they speak it too.
    """
    usage_prefix = translate(lang, "cli_usage_prefix")

    class Formatter(argparse.HelpFormatter):
        def add_usage(
            self,
            usage: str | None,
            actions: Iterable[argparse.Action],
            groups: Iterable[argparse._MutuallyExclusiveGroup],
            prefix: str | None = None,
        ) -> None:
            super().add_usage(usage, actions, groups, usage_prefix if prefix is None else prefix)

    class Parser(argparse.ArgumentParser):
        def __init__(self, prog: str | None = None, *, add_help: bool = True, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", Formatter)
            parents: list[argparse.ArgumentParser] = kwargs.pop("parents", [])
            super().__init__(prog, add_help=False, **kwargs)
            # Headings renamed before the parents' options are copied, so theirs join ours under one heading.
            self._positionals.title = translate(lang, "cli_positionals")
            self._optionals.title = translate(lang, "cli_options")
            if add_help:
                self.add_argument(
                    "-h", "--help", action="help", default=argparse.SUPPRESS, help=translate(lang, "cli_help_help")
                )
            for parent in parents:
                self._add_container_actions(parent)
                self._defaults.update(parent._defaults)

        def error(self, message: str) -> NoReturn:
            """One line saying what is wrong, and where the usage is: no usage dump, no English."""
            commands = [
                name
                for action in self._actions
                if isinstance(action, argparse._SubParsersAction)
                for name in action.choices
            ]
            said = _argparse_message(lang, message, commands)
            line = translate(lang, "cli_arg_error", prog=self.prog, message=said)
            self.exit(2, line + "\n" + translate(lang, "cli_arg_hint", prog=self.prog) + "\n")

    return Parser


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The argument parser (also used by tests to check the interface)."""

    def t(key: str) -> str:
        return translate(lang, key)

    parser_class = _parser_class(lang)
    parser = parser_class(prog="duban", description=t("cli_help_description"))
    common = parser_class(add_help=False)
    common.add_argument("--db", help=t("cli_help_db"))
    sub = parser.add_subparsers(dest="command", required=True, metavar=t("cli_meta_command"))

    def command(holder: Any, name: str, help_key: str, *, shared: bool = True) -> argparse.ArgumentParser:
        made: argparse.ArgumentParser = holder.add_parser(
            name, parents=[common] if shared else [], help=t(help_key), description=t(help_key)
        )
        return made

    command(sub, "demo", "cli_help_demo")
    console = command(sub, "console", "cli_help_console")
    console.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    console.add_argument("--as", dest="who", default="admin", help=t("cli_help_as"))

    plan = command(sub, "plan", "cli_help_plan", shared=False)
    plan_sub = plan.add_subparsers(dest="plan_command", required=True, metavar=t("cli_meta_command"))
    command(plan_sub, "list", "cli_help_plan_list")
    check = command(plan_sub, "check", "cli_help_plan_check")
    check.add_argument("file", metavar=t("cli_meta_source"), help=t("cli_help_source"))
    load = command(plan_sub, "load", "cli_help_plan_load")
    load.add_argument("source", metavar=t("cli_meta_source"), help=t("cli_help_source"))
    workbook = command(plan_sub, "import", "xl_help_plan_import")
    workbook.add_argument("file", metavar=t("xl_meta_xlsx"), help=t("xl_help_xlsx"))
    workbook.add_argument("--out", help=t("xl_help_out_yaml"))
    template = command(plan_sub, "template", "xl_help_plan_template", shared=False)
    template.add_argument("--out", required=True, help=t("xl_help_out_xlsx"))
    for name in ("archive", "unarchive"):
        archive = command(plan_sub, name, f"cli_help_plan_{name}")
        archive.add_argument("plan_id", metavar="ID", help=t("cli_help_plan_id"))

    invite = command(sub, "invite", "cli_help_invite")
    invite.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    invite.add_argument("target", metavar=t("cli_meta_target"), help=t("cli_help_target"))

    reminders = command(sub, "reminders", "cli_help_reminders")
    reminders.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    reminders.add_argument("--now", help=t("cli_help_now"))
    reminders.add_argument("--days", type=int, default=14, help=t("cli_help_days"))
    reminders.add_argument("--json", action="store_true", help=t("cli_help_json"))

    digest = command(sub, "digest", "cli_help_digest")
    digest.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    digest.add_argument("--now", help=t("cli_help_now"))
    digest.add_argument("--chart", help=t("cli_help_chart"))
    digest.add_argument("--lang", choices=["zh", "en"], help=t("cli_help_lang"))

    run = command(sub, "run", "cli_help_run")
    run.add_argument("--plan", help=t("cli_help_run_plan"))
    run.add_argument("--as", dest="who", default="admin", help=t("cli_help_as"))

    score = command(sub, "score", "cli_help_score")
    score.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    score.add_argument("--json", action="store_true", help=t("cli_help_json"))

    export = command(sub, "export", "xl_help_export")
    export.add_argument("--plan", required=True, help=t("cli_help_plan_id"))
    export.add_argument("--out", help=t("xl_help_export_out"))
    export.add_argument("--evidence-zip", dest="evidence_zip", help=t("xl_help_evidence_zip"))
    export.add_argument("--lang", choices=["zh", "en"], help=t("xl_help_export_lang"))

    schema = command(sub, "db", "cli_help_db_command", shared=False)
    schema_sub = schema.add_subparsers(dest="db_command", required=True, metavar=t("cli_meta_command"))
    command(schema_sub, "upgrade", "cli_help_db_upgrade")
    command(schema_sub, "current", "cli_help_db_current")
    return parser
