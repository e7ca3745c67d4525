"""One module per intent, each exporting ``answer(view, query) -> Answer``.

The engine's dispatch table (:data:`bot.answering.engine.HANDLERS`) names them; a new intent is a new module
here and a new row there.
"""
