"""Epoch events: a Keras training run in a served process tells the judge, while the request
runs, how many epochs it has finished, so that a check that trains can say how far it is
("ex06 train: epoch 3/10") instead of looking stuck.

The events are messages on the channel to the judge (``{"progress": {"epoch": 3, "epochs":
10}}``), written before the request's reply; ``grader.judge.process`` reads them as they come.
They are for display only: no mark depends on them, and the judge shows only well-formed ones.
The models the grader hands to student code report through ``reporting`` (their ``fit``
adds ``EpochReport`` to the callbacks it is given), the grader's own runs through
``EpochReport`` itself.
"""

from collections.abc import Callable
from typing import Any

_send: Callable[[dict[str, Any]], None] | None = None
"""Writes one message to the judge: set by ``connect`` in a served process, else None."""
FIT_CALLBACKS_AT = 5
"""``callbacks`` is ``Model.fit``'s sixth parameter (after x, y, batch_size, epochs, verbose)."""


def connect(send: Callable[[dict[str, Any]], None] | None) -> None:
    """Send epoch events with ``send`` (``grader.worker.serve``); None: send none."""
    global _send
    _send = send


def epoch_done(epoch: int, epochs: int) -> None:
    """Tell the judge that ``epoch`` of ``epochs`` is finished (counting from 1)."""
    if _send is not None:
        _send({"progress": {"epoch": epoch, "epochs": epochs}})


def epoch_report() -> Any:
    """A ``keras.callbacks.Callback`` that calls ``epoch_done`` at the end of each epoch."""
    from tensorflow import keras

    class EpochReport(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            epoch_done(epoch + 1, int(self.params.get("epochs") or 0))

    return EpochReport()


def reporting(model: Any) -> Any:
    """``model``, whose ``fit`` also reports each finished epoch: an ``EpochReport`` joins
    the callbacks it is given as a list or tuple (any other value, or callbacks given by
    position, are passed on untouched). Training itself is unchanged: the callback only reads
    the epoch number."""
    fit = model.fit

    def fit_reporting(*args: Any, **kwargs: Any) -> Any:
        given = kwargs.get("callbacks")
        if len(args) <= FIT_CALLBACKS_AT and (given is None or type(given) in (list, tuple)):
            kwargs["callbacks"] = [*(given or ()), epoch_report()]
        return fit(*args, **kwargs)

    model.fit = fit_reporting
    return model
