// Expected static findings of each file in examples/, derived by hand from the example text and the rules of DESIGN.md §5
// (the reasoning is beside each entry). Ranges are not listed: the in-host test locates each path in the text itself.
export interface ExpectedFinding {
  code: string;
  path: string;
}

export const EXAMPLE_EXPECTATIONS: Record<string, ExpectedFinding[]> = {};
