// The neutral, tensor-free data container every data source produces.

export interface DataBatch {
  /** Input dimension (columns). */
  features: number;
  /** Number of samples (rows). */
  count: number;
  /** Row-major [count][features]: sample j is x[j*features .. (j+1)*features). */
  x: Float64Array;
  /** One class index in [0, classes) per sample. */
  labels: Int32Array;
  classes: number;
}

/** The samples at `indices`, in that order. */
export function selectRows(data: DataBatch, indices: ArrayLike<number>): DataBatch {
  const { features } = data;
  const x = new Float64Array(indices.length * features);
  const labels = new Int32Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const src = indices[r];
    x.set(data.x.subarray(src * features, (src + 1) * features), r * features);
    labels[r] = data.labels[src];
  }
  return { features, count: indices.length, x, labels, classes: data.classes };
}
