/**
 * A PDF answered for the browser's viewer (inline, under its file name) and the address its QR codes
 * point back to: the wallet's certificates and the service window's printed letters answer alike.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** This API's own address as the caller reached it: where a printed QR code's check is. */
export const baseUrlOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

export const sendPdf = (reply: FastifyReply, filename: string, pdf: Buffer) =>
  reply.type('application/pdf').header('content-disposition', `inline; filename="${filename}"`).send(pdf);
