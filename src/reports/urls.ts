/** Where a report is downloaded (GET with the same Authorization header as the API). */
export function reportDownloadUrl(publicUrl: string, id: string): string {
  return new URL(`/reports/${id}`, publicUrl).toString();
}
