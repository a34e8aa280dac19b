import { postgresPrismaConfig } from "./config";

export default postgresPrismaConfig();
