"""softmax on a binary task's output.

fails: output_layer, build_model
diagnosis: softmax on the output of a binary task
"""


def output_activation(task):
    return "linear" if task == "regression" else "softmax"
