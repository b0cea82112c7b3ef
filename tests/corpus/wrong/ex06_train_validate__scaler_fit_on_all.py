"""the scaler fitted on all the data before the split.

fails: split_and_scale
diagnosis: the scaler is fitted on all the data
"""


def split_and_scale(X, y, seed=42):
    X = StandardScaler().fit_transform(X)
    return tuple(train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed))
