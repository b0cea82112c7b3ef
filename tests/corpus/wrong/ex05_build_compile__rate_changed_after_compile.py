"""The learning rate set back to the optimizer's default after compile ("Keras knows best"):
the compile settings still show the rate asked for.

fails: compile_model
diagnosis: the learning rate is not used
"""


def compile_model(model, task, optimizer="adam", learning_rate=None):
    chosen = keras.optimizers.get(optimizer)
    if learning_rate is not None:
        chosen.learning_rate = learning_rate
    metrics = [] if task == "regression" else ["accuracy"]
    model.compile(optimizer=chosen, loss=loss_for(task), metrics=metrics)
    model.optimizer.learning_rate.assign(0.001)
    return model
