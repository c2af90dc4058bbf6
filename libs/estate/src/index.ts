export const ESTATE = true;
