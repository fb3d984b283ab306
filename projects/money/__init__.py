"""The money core: every money rule and figure of a programme, as pure functions on plain data.

A programme is read into ``document`` (frozen dataclasses, the shape of the programme file) and
everything the board is shown is worked out from it here: the minimum and maximum extra cost
(``bounds``), the partners' shares, tranches and positions (``shares``), the figures object and
its registry (``figures``), the what-if scenarios (``scenarios``) and how money is written
(``formatting``). The words of the programme (decisions, statuses, grades) are ``vocabulary``.

Nothing here imports Django, an app or the rest of ``projects`` (import-linter's money-core
contract), so the rules can be read, tested and checked by mypy on their own.
"""
