export function openSchemaEngine(datamodel: string, connectionString: string): Promise<unknown>;
export function diffDatamodels(from: string | null, to: string, connectionString: string): Promise<string>;
