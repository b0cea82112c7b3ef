"""the two multi-class losses swapped.

fails: loss_for, compile_model
diagnosis: sparse and one-hot losses swapped
"""


def loss_for(task):
    return {"binary": "binary_crossentropy", "multiclass": "categorical_crossentropy",
            "multiclass_onehot": "sparse_categorical_crossentropy",
            "regression": "mean_squared_error"}[task]
