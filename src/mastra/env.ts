/** A numeric setting from the environment; unset, empty or not a number is undefined. */
export const envNumber = (value: string | undefined): number | undefined =>
  value !== undefined && value !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined;
