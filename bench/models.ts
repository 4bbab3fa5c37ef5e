export async function workloadsNeedingModels(name: string, _o: unknown): Promise<unknown> { throw new Error(`unknown workload ${name}`); }
